"""Running the bot as a service: health checks, metrics, their HTTP endpoint, and stopping well."""
