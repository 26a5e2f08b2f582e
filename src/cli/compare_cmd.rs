//! `seglab compare RUN_A RUN_B --out DIR`: where customers moved between two runs.

use super::CliError;
use crate::engine::compare::compare;
use crate::report::atomic::check_target;
use crate::report::compare_output::{self, CompareInputs};
use crate::report::run_folder::read_run;
use std::path::Path;

pub fn cmd_compare(old: &Path, new: &Path, out: &Path) -> Result<(), CliError> {
    check_target(out)?;
    let a = read_run(old)?;
    let b = read_run(new)?;
    let c = compare(&a, &b);
    let dir = compare_output::write(out, &c, &CompareInputs { old, new })?;
    println!(
        "{} customers in both runs; {} moved to a segment that is not the match of their earlier one",
        c.customers_in_both, c.moved
    );
    for m in &c.matches {
        println!(
            "  {} {} -> {} {}: {:.1}% stayed{}",
            m.old,
            m.old_name,
            m.new,
            m.new_name,
            m.stayed * 100.0,
            m.centroid_shift
                .map_or_else(String::new, |d| format!(", centroid moved {d:.3}"))
        );
    }
    for &n in &c.new_segments {
        println!("  new: {n} {}", c.new_names[n]);
    }
    for &o in &c.vanished {
        println!("  vanished: {o} {}", c.old_names[o]);
    }
    println!("wrote {}", dir.display());
    Ok(())
}
