"""QBO's webhooks as the sandbox sends them: signed payloads in both formats, delivered with retries."""
