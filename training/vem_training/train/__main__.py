from .autoencoder import main

main()
