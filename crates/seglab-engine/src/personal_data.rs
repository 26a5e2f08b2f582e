//! Columns that hold personal data, known by their header (and the email column type): the
//! export drops or hashes them (`[export] pii`) and profiles leave them out.
//!
//! The join id is never personal data here: it is how the results join back to the customers.

use crate::table::ColumnType;

/// Words before `name` that make it a person's name (`product_name`, `segment_name` are not).
const PERSON_NAME_QUALIFIERS: &[&str] = &[
    "first",
    "last",
    "full",
    "given",
    "family",
    "middle",
    "maiden",
    "nick",
    "user",
    "display",
    "contact",
    "customer",
    "client",
    "person",
    "account",
    "holder",
    "cardholder",
    "billing",
    "shipping",
    "recipient",
    "member",
    "legal",
    "preferred",
];

const NAME_WORDS: &[&str] = &[
    "surname",
    "forename",
    "firstname",
    "lastname",
    "fullname",
    "givenname",
    "familyname",
    "middlename",
    "nickname",
    "username",
    "customername",
    "contactname",
];

const PHONE_WORDS: &[&str] = &[
    "phone",
    "mobile",
    "telephone",
    "tel",
    "cell",
    "cellphone",
    "fax",
    "phonenumber",
    "mobilephone",
    "msisdn",
];

const ADDRESS_WORDS: &[&str] = &[
    "address",
    "addr",
    "street",
    "streetaddress",
    "postcode",
    "postalcode",
    "zip",
    "zipcode",
];

/// Lower-case words of a header: split at non-alphanumerics and camelCase humps, with trailing
/// digits dropped (`address_line_1`, `Address2`, `customerEmail` → words).
fn words(name: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut cur = String::new();
    let mut prev_lower = false;
    for ch in name.chars() {
        let boundary = !ch.is_alphanumeric() || (ch.is_uppercase() && prev_lower);
        if boundary && !cur.is_empty() {
            out.push(std::mem::take(&mut cur));
        }
        if ch.is_alphanumeric() {
            cur.extend(ch.to_lowercase());
        }
        prev_lower = ch.is_lowercase() || ch.is_ascii_digit();
    }
    out.push(cur);
    out.into_iter()
        .map(|w| w.trim_end_matches(|c: char| c.is_ascii_digit()).to_string())
        .filter(|w| !w.is_empty())
        .collect()
}

/// Why a column is personal data, or None.
pub fn reason(name: &str, ty: ColumnType) -> Option<&'static str> {
    // Flags, counts and dates about a person are not the identifying value itself.
    if matches!(
        ty,
        ColumnType::Boolean | ColumnType::Date | ColumnType::DateTime
    ) {
        return None;
    }
    let w = words(name);
    let w: Vec<&str> = w.iter().map(String::as_str).collect();
    let flag_like = w
        .first()
        .is_some_and(|x| matches!(*x, "has" | "is" | "n" | "num" | "count"));
    if flag_like
        || w.iter()
            .any(|x| matches!(*x, "id" | "ids" | "uuid" | "guid"))
    {
        return None;
    }
    if ty == ColumnType::Email {
        return Some("email address (column type)");
    }
    let last = *w.last()?;
    let before: &[&str] = &w[..w.len() - 1];
    let prev = before.last().copied();
    let is_mail = |x: &str| matches!(x, "email" | "mail" | "emailaddress");
    if is_mail(last) || (last == "address" && prev.is_some_and(is_mail)) {
        return Some("email address (header)");
    }
    if PHONE_WORDS.contains(&last)
        || (matches!(last, "number" | "no" | "nr" | "num")
            && prev.is_some_and(|p| PHONE_WORDS.contains(&p)))
    {
        return Some("phone number (header)");
    }
    let person_name = NAME_WORDS.contains(&last)
        || (last == "name" && before.iter().all(|x| PERSON_NAME_QUALIFIERS.contains(x)));
    if person_name {
        return Some("person's name (header)");
    }
    let address = ADDRESS_WORDS.contains(&last)
        || (last == "code" && prev.is_some_and(|p| matches!(p, "postal" | "post" | "zip")))
        || (last == "line" && prev.is_some_and(|p| ADDRESS_WORDS.contains(&p)))
        || (last == "number" && prev == Some("house"));
    address.then_some("postal address (header)")
}
