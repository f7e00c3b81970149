// The engine interface.
