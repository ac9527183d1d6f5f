"""The runtime of the vectorised calculators (numpy): ``kernels`` for one policy's rules, ``sets`` for a policy set."""
