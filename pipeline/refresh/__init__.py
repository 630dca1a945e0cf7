"""The weekly refresh: run.py the stages (lock, collect, store, extract, build, publish, report);
inbox.py the inbox walk; store.py the raw store and its index; workers.py the extraction workers and
the builder process under their limits; lock.py one refresh at a time; report.py the run report."""
