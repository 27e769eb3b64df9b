"""Who is calling: identities, bearer tokens, and the check every service runs on them."""
