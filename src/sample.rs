//! Seeded per-category sampling.
