//! Personal data in the files meant to leave the machine (`segments.csv` / `.parquet`): email,
//! phone, name and address columns are dropped, hashed or kept (`[export] pii`).
//!
//! Found by column type (email) and by header name. The join id is never personal data here:
//! it is how the results join back to the customer base.

use seglab_engine::recipe::{ExportOptions, PiiMode};
use seglab_engine::table::{Column, ColumnData, ColumnType, Table, TextColumn};
use serde::Serialize;
use sha2::{Digest, Sha256};

#[derive(Debug, thiserror::Error)]
pub enum PiiError {
    #[error("{}", ExportOptions::missing_salt_message())]
    MissingSalt,
}

/// A column held to be personal data, and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PiiColumn {
    pub column: String,
    pub reason: &'static str,
}

pub use seglab_engine::personal_data::reason;

/// The join id: the recipe's `features.id`, else the first id column (as the feature table does).
fn join_id<'a>(table: &'a Table, id: Option<&'a str>) -> Option<&'a str> {
    id.or_else(|| {
        table
            .columns
            .iter()
            .find(|c| c.ty == ColumnType::Id)
            .map(|c| c.name.as_str())
    })
}

/// The personal-data columns of a table, in table order.
pub fn detect(table: &Table, id: Option<&str>) -> Vec<PiiColumn> {
    let id = join_id(table, id);
    table
        .columns
        .iter()
        .filter(|c| Some(c.name.as_str()) != id)
        .filter_map(|c| {
            reason(&c.name, c.ty).map(|reason| PiiColumn {
                column: c.name.clone(),
                reason,
            })
        })
        .collect()
}

/// Apply `[export] pii` to a table about to leave the machine; returns the columns it touched.
pub fn protect(
    table: &mut Table,
    id: Option<&str>,
    opts: &ExportOptions,
) -> Result<Vec<PiiColumn>, PiiError> {
    let found = detect(table, id);
    let is_pii = |c: &Column| found.iter().any(|p| p.column == c.name);
    match opts.pii {
        PiiMode::Keep => {}
        PiiMode::Drop => table.columns.retain(|c| !is_pii(c)),
        PiiMode::Hash => {
            let salt = opts.salt().ok_or(PiiError::MissingSalt)?;
            let mut cell = String::new();
            // A hashed segments.csv read back (by `apply`) keeps its hashes, so they still join.
            let pending = |c: &Column| is_pii(c) && !already_hashed(c);
            for c in table.columns.iter_mut().filter(|c| pending(c)) {
                let mut hashed = TextColumn::with_capacity(c.data.len(), c.data.len() * 64);
                for r in 0..c.data.len() {
                    cell.clear();
                    let present = c.data.write_cell(r, &mut cell);
                    hashed.push(
                        present
                            .then(|| hex(&hmac_sha256(salt.as_bytes(), cell.as_bytes())))
                            .as_deref(),
                    );
                }
                c.ty = ColumnType::Text;
                c.data = ColumnData::Text(hashed);
            }
        }
    }
    Ok(found)
}

/// Every value is a 64-digit lower-case hex string, as `protect` writes them.
fn already_hashed(c: &Column) -> bool {
    let Some(t) = c.data.as_text() else {
        return false;
    };
    t.null_count() < t.len()
        && t.iter().flatten().all(|s| {
            s.len() == 64
                && s.bytes()
                    .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        })
}

/// What the manifest says about personal data: the policy and each column's fate.
pub fn manifest_entry(opts: &ExportOptions, found: &[PiiColumn]) -> serde_json::Value {
    let action = match opts.pii {
        PiiMode::Drop => "dropped",
        PiiMode::Hash => "hashed (HMAC-SHA256 with [export] pii_salt, hex)",
        PiiMode::Keep => "kept",
    };
    serde_json::json!({
        "formula_escape": opts.formula_escape,
        "pii": opts.pii,
        "pii_files": ["segments.csv", "segments.parquet"],
        "pii_columns": found
            .iter()
            .map(|p| serde_json::json!({"column": p.column, "reason": p.reason, "action": action}))
            .collect::<Vec<_>>(),
        "review_files_note": "cleaned.csv and duplicates.csv (written by `seglab clean`) are review \
            files for use on this machine and keep these columns; do not send them out",
    })
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// HMAC-SHA256 (RFC 2104): H((K ^ opad) || H((K ^ ipad) || m)), K padded to the 64-byte block.
pub fn hmac_sha256(key: &[u8], message: &[u8]) -> [u8; 32] {
    const BLOCK: usize = 64;
    let mut k = [0u8; BLOCK];
    if key.len() > BLOCK {
        k[..32].copy_from_slice(Sha256::digest(key).as_slice());
    } else {
        k[..key.len()].copy_from_slice(key);
    }
    let pad = |byte: u8| k.map(|x| x ^ byte);
    let inner = Sha256::new()
        .chain_update(pad(0x36))
        .chain_update(message)
        .finalize();
    let outer = Sha256::new()
        .chain_update(pad(0x5c))
        .chain_update(inner)
        .finalize();
    let mut out = [0u8; 32];
    out.copy_from_slice(outer.as_slice());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unhex(s: &str) -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    #[test]
    fn hmac_matches_rfc_4231() {
        // Test cases 1, 2, 4 and 6 (6: a key longer than the block is hashed first).
        let cases: [(Vec<u8>, Vec<u8>, &str); 4] = [
            (
                vec![0x0b; 20],
                b"Hi There".to_vec(),
                "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
            ),
            (
                b"Jefe".to_vec(),
                b"what do ya want for nothing?".to_vec(),
                "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
            ),
            (
                unhex("0102030405060708090a0b0c0d0e0f10111213141516171819"),
                vec![0xcd; 50],
                "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b",
            ),
            (
                vec![0xaa; 131],
                b"Test Using Larger Than Block-Size Key - Hash Key First".to_vec(),
                "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
            ),
        ];
        for (key, data, expect) in cases {
            assert_eq!(hex(&hmac_sha256(&key, &data)), expect);
        }
    }

    #[test]
    fn personal_columns_are_found_by_type_and_header_but_ids_and_products_are_not() {
        let t = ColumnType::Text;
        for name in [
            "name",
            "Name",
            "first_name",
            "LastName",
            "full name",
            "surname",
            "customer_name",
            "email",
            "E-Mail",
            "email_address",
            "phone",
            "phone_number",
            "Mobile",
            "telephone",
            "address",
            "street",
            "address_line_1",
            "Address2",
            "postcode",
            "zip",
            "postal_code",
            "billing_address",
        ] {
            assert!(reason(name, t).is_some(), "{name} should be personal data");
        }
        for name in [
            "segment_name",
            "product_name",
            "customer_id",
            "email_id",
            "name_id",
            "id",
            "city",
            "country",
            "income",
            "has_email",
            "email_opt_in",
            "phone_calls",
            "mobile_app_sessions",
            "channel",
            "username_length",
        ] {
            assert!(reason(name, t).is_none(), "{name} is not personal data");
        }
        assert!(reason("contact", ColumnType::Email).is_some());
        assert!(reason("email", ColumnType::Boolean).is_none());
    }

    #[test]
    fn drop_hash_and_keep_act_on_the_found_columns_only() {
        let text = |v: &[Option<&str>]| ColumnData::Text(v.iter().copied().collect());
        let table = Table::new(vec![
            Column::new(
                "customer_id",
                ColumnType::Id,
                text(&[Some("C1"), Some("C2")]),
            ),
            Column::new("name", ColumnType::Text, text(&[Some("Ann"), None])),
            Column::new(
                "contact",
                ColumnType::Email,
                text(&[Some("a@x.io"), Some("b@x.io")]),
            ),
            Column::new(
                "income",
                ColumnType::Number,
                ColumnData::Number(vec![Some(1.0), None]),
            ),
        ]);
        let opts = |pii, salt: Option<&str>| ExportOptions {
            pii,
            pii_salt: salt.map(str::to_string),
            ..ExportOptions::default()
        };
        let mut dropped = table.clone();
        let found = protect(&mut dropped, None, &opts(PiiMode::Drop, None)).unwrap();
        assert_eq!(
            found.iter().map(|p| p.column.as_str()).collect::<Vec<_>>(),
            ["name", "contact"]
        );
        assert_eq!(dropped.names(), ["customer_id", "income"]);
        let mut kept = table.clone();
        protect(&mut kept, None, &opts(PiiMode::Keep, None)).unwrap();
        assert_eq!(kept, table);
        let mut hashed = table.clone();
        protect(&mut hashed, None, &opts(PiiMode::Hash, Some("pepper"))).unwrap();
        let names = hashed.columns[1].data.to_text_values();
        assert_eq!(
            names[0].as_deref(),
            Some(hex(&hmac_sha256(b"pepper", b"Ann")).as_str())
        );
        assert_eq!(names[1], None, "a missing value stays missing");
        assert_eq!(hashed.columns[0], table.columns[0], "the id is untouched");
        let mut other_salt = table.clone();
        protect(&mut other_salt, None, &opts(PiiMode::Hash, Some("salt"))).unwrap();
        assert_ne!(other_salt.columns[2], hashed.columns[2]);
        // Hashing what was already hashed (apply on a hashed segments.csv) changes nothing.
        let mut again = hashed.clone();
        protect(&mut again, None, &opts(PiiMode::Hash, Some("pepper"))).unwrap();
        assert_eq!(again, hashed);
    }
}
