"""Small shared widgets: message helpers, a period picker, figure cards."""
