"""Budgets against guessing and flooding: fixed-window rate limits (`rates`), the per-address
guard of untrusted clients (`guard`), constant-time credential checks (`timing`)."""
