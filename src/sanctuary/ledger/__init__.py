"""The tamper-evident ledger: canonical records → RFC 6962 Merkle log → signed checkpoints."""
