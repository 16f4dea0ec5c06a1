"""VeM Studio training package: corpus builder, models, training loops and ONNX export."""
