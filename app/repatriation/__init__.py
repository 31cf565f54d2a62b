"""The journey home: a repatriation on a case, embassy batches and their manifests, and the
exit crossing that ends it. No one is sent back into danger: see service.py, "the safeguard"."""
