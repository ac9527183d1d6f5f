"""pol: a compiler from 惠企政策 (enterprise subsidy policies) to exact calculators."""
