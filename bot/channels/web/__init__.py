"""The web chat: a page on the district's website, over the shared conversation core."""
