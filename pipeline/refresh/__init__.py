"""The weekly refresh: raw store, worker processes, the run and its report."""
