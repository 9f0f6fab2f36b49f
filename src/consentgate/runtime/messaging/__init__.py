"""Marketing messages and address books: only to consenting subjects, never to an uploaded contact."""
