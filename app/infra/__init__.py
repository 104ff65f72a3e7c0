"""What every request goes through, whatever its domain: the body-size limit (`limits`), the OpenAPI schema's error
model (`openapi`), and the health check and API docs (`pages`)."""
