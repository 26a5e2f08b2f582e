pub mod dbscan;
pub mod hierarchical;
pub mod kmeans;
