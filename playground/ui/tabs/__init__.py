"""One package per tab (boundary, bigram, charmlp, digits, backprop): state, panels, presenter,
files and job, wired by the Tab class in its __init__."""
