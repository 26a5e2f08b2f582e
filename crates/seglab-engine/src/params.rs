//! Parameters → check → fit. Every algorithm's params type checks its own rules once, up front,
//! and returns a validated type; the fit takes only that, so it never re-checks or panics on a
//! rule, and each broken rule is a typed error variant (with the values that broke it).

pub trait ParamGuard {
    /// The parameters, known to satisfy every rule that does not depend on the data.
    type Checked;
    type Error;

    fn check(&self) -> Result<Self::Checked, Self::Error>;
}
