//! Inputs that are not only paths: bytes, a reader and a table already in memory load like the
//! file they stand for, with the same checks, and the name given stands for the path in messages.

mod common;
use common::{sample, Scratch};
use seglab::engine::load::{load, load_source, LoadError, Source};
use std::path::PathBuf;

#[test]
fn bytes_and_a_reader_load_exactly_like_the_file() {
    let path = sample("customers.csv");
    let from_file = load(&path, &Default::default()).unwrap();
    let bytes = std::fs::read(&path).unwrap();
    let from_bytes = load_source(
        Source::Bytes {
            name: "customers.csv".into(),
            bytes: bytes.clone(),
        },
        &Default::default(),
    )
    .unwrap();
    assert_eq!(from_bytes.table, from_file.table);
    assert_eq!(from_bytes.warnings, from_file.warnings);
    let from_reader = load_source(
        Source::Reader {
            name: "customers.csv".into(),
            reader: Box::new(std::io::Cursor::new(bytes)),
        },
        &Default::default(),
    )
    .unwrap();
    assert_eq!(from_reader.table, from_file.table);
}

#[test]
fn the_name_chooses_the_format_and_names_the_input_in_messages() {
    let json = br#"[{"customer_id": "A", "spend": 1.5}, {"customer_id": "B", "spend": 2}]"#;
    let t = load_source(
        Source::Bytes {
            name: "query-result.json".into(),
            bytes: json.to_vec(),
        },
        &Default::default(),
    )
    .unwrap()
    .table;
    assert_eq!(t.n_rows(), 2);
    assert_eq!(
        t.column("spend").unwrap().data.as_numbers().unwrap()[1],
        Some(2.0)
    );
    // The guards of a file apply to bytes too: binary content is refused by name and offset.
    let err = load_source(
        Source::Bytes {
            name: "upload.csv".into(),
            bytes: b"a,b\n1,\x002\n".to_vec(),
        },
        &Default::default(),
    )
    .unwrap_err();
    assert!(
        matches!(err, LoadError::Binary { offset: 6, .. }),
        "{err:?}"
    );
    assert!(
        err.to_string()
            .starts_with("upload.csv is not a text table"),
        "{err}"
    );
}

#[test]
fn a_table_in_memory_is_taken_as_it_is() {
    let s = Scratch::new("source-table");
    let path = s.file("t.csv", b"id,x\nA,1\nB,2\n");
    let loaded = load(&path, &Default::default()).unwrap();
    let again = load_source(
        Source::Table {
            name: PathBuf::from("t.csv"),
            table: loaded.table.clone(),
        },
        &Default::default(),
    )
    .unwrap();
    assert_eq!(again.table, loaded.table);
    assert!(again.warnings.is_empty());
    assert_eq!(again.path, PathBuf::from("t.csv"));
}
