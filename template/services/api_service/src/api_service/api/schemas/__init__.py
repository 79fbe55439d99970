"""Request and response models: the public contract shown in OpenAPI."""
