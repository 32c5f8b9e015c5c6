"""The institute's settings row: the copy pages keep in memory (`memory`), its settings
form (`forms`) and page (`views`)."""
