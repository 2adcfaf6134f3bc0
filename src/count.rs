//! Exact Table 2 counts.
