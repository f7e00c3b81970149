// A utility of the state layer.
