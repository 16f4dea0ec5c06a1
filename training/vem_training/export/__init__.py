"""ONNX export, fp16 weight storage, the manifest and the parity fixtures (`python -m vem_training.export`)."""
