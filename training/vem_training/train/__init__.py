"""Training: the loops (autoencoder = vocoder and VAE, aligner, denoiser, adversarial vocoder), their shared
machinery (`loop.Trainer`, checkpoints) and the denoiser's held-out checks."""
