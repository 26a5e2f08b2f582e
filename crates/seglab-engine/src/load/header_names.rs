//! What a column's header says it holds (an id, a date, a code): hints the type guesses use.

/// A header that names an identifier: "id", "customer_id", "CustomerID", "order id".
pub fn name_says_id(name: &str) -> bool {
    let lower = name.trim().to_ascii_lowercase();
    lower == "id"
        || lower.ends_with("_id")
        || lower.ends_with(" id")
        || lower.ends_with("-id")
        || name.ends_with("Id")
        || name.ends_with("ID")
        || lower == "uuid"
}

/// A header that names a date: "date", "InvoiceDate", "order_date".
pub fn name_says_date(name: &str) -> bool {
    name.to_ascii_lowercase().contains("date")
}

/// A header that names a code: an id, "InvoiceNo", "order number", "StockCode".
pub fn name_says_code(name: &str) -> bool {
    let lower = name.trim().to_ascii_lowercase();
    name_says_id(name)
        || ["invoice", "code", "number"]
            .iter()
            .any(|w| lower.contains(w))
        || name.ends_with("No")
        || lower == "no"
        || [" no", "_no", "-no", "no."]
            .iter()
            .any(|w| lower.ends_with(w))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_headers() {
        for name in [
            "InvoiceNo",
            "invoice",
            "StockCode",
            "order_number",
            "customer_id",
            "ID",
        ] {
            assert!(name_says_code(name), "{name}");
        }
        for name in ["amount", "quantity", "Country", "notes", "casino"] {
            assert!(!name_says_code(name), "{name}");
        }
    }
}
