"""The lab: a real HTTP server that answers redirects and keeps a journal of what arrives."""
