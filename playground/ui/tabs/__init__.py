"""One module per tab: boundary, bigram, charmlp, digits."""
