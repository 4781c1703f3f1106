"""The one email-code process (`process.EmailCode`), its table (`store`) and its types."""
