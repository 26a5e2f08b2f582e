//! seglab: a terminal workbench for customer segmentation.

pub mod cli;
pub mod config;
pub mod engine;
pub mod recipe;
pub mod report;
pub mod signals;
pub mod tui;
