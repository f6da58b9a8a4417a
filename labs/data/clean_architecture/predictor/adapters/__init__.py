"""Interface adapters: HTTP payloads and repositories that implement the domain ports."""
