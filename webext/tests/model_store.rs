//! In a real browser's IndexedDB: a stored chunk reads back, and a chunk the store does not hold
//! reads as missing (a damaged copy, which the loader removes), not as a storage failure (which
//! the loader reports and keeps the copy).
#![cfg(target_arch = "wasm32")]

use wasm_bindgen_test::*;
use webext::model_store::{FileProgress, ModelStore};

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
async fn a_missing_chunk_reads_as_missing_not_as_a_storage_failure() {
    let store = ModelStore::open().await.expect("IndexedDB opens");
    let mut progress = FileProgress {
        model_id: "store-test".into(),
        name: "weights.bin".into(),
        version: "1".into(),
        url: "http://127.0.0.1:1/weights.bin".into(),
        chunks: 0,
        bytes: 0,
        expected_size: Some(6),
        expected_sha256: None,
        sha256: None,
    };
    store.start_file(&progress).await.expect("starts");
    for (i, bytes) in [[1u8, 2, 3], [4, 5, 6]].iter().enumerate() {
        progress.chunks = i as u32 + 1;
        progress.bytes += bytes.len() as u64;
        store.append_chunk(&progress, bytes).await.expect("stores");
    }
    let second = store
        .stored_chunk("store-test", "weights.bin", 1)
        .await
        .expect("reads")
        .expect("is there");
    assert_eq!(second.to_vec(), [4, 5, 6]);
    let absent = store
        .stored_chunk("store-test", "weights.bin", 2)
        .await
        .expect("a missing chunk is not a storage failure");
    assert!(absent.is_none());
    // `chunk` still calls a missing chunk an error, for callers that need every byte.
    assert!(store.chunk("store-test", "weights.bin", 2).await.is_err());
    store.delete_model("store-test").await.expect("deletes");
}
