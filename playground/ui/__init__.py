"""Everything Qt.  Imports playground.core, never the reverse."""
