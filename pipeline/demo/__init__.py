"""The bundled demo reports: a generator and its renderers. Not the product: tests and benches use it."""
