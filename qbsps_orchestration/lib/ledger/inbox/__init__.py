"""The QBO change inbox (webhook, CDC and sweep rows) and the CDC cursors."""
