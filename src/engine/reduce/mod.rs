pub mod pca;
pub mod tsne;
