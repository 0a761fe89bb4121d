"""The training engine: one `Run` (build, the one D/G update, train, live config changes), its
loss log and rollback, random streams, observers that turn a run into numpy snapshots, the
picture timeline, and several runs in lockstep (in turns or batched)."""
