// Test classes run in parallel; tests inside a class run one after another (the end-to-end ones share a project copy).
[assembly: Parallelize(Scope = ExecutionScope.ClassLevel, Workers = 0)]
