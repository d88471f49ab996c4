"""Build an embedded data dir from vectors saved by ``bench/chunk_count.py --save-vectors`` (no re-embedding).

The points are what ``museum-rag ingest`` writes for the same records (ids, dense and BM25 vectors,
payloads, the whole record on each record's first chunk), so benchmarks that need a full store
(``bench/load.py``, timing ``museum-rag stats``) can skip the embedding when CPU is short.

    python bench/store_from_vectors.py --vectors /tmp/npg_vectors.npz --out /tmp/npg_data
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402

from ingest.loaders import load_paths  # noqa: E402
from rag.config import Settings  # noqa: E402
from rag.sparse import Bm25Encoder  # noqa: E402
from rag.store import PointData, open_store, point_id  # noqa: E402

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample" / "npg_labels.jsonl"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--vectors", type=Path, required=True)
    parser.add_argument("--collection", type=Path, default=SAMPLE, help="The records the vectors were made from.")
    parser.add_argument("--out", type=Path, required=True, help="The data dir to create.")
    args = parser.parse_args()
    data = np.load(args.vectors)
    records = {item.record.id: item.record for item in load_paths([args.collection]).records}
    bm25 = Bm25Encoder()
    settings = Settings(_env_file=None, data_dir=args.out)
    with open_store(settings) as store:
        store.ensure_collection(int(data["vectors"].shape[1]))
        points = []
        for vector, payload_json, text in zip(data["vectors"], data["payloads"], data["texts"]):
            payload = json.loads(str(payload_json))
            if payload["chunk_index"] == 0 and payload["record_id"] in records:
                payload["record"] = records[payload["record_id"]].model_dump(mode="json", exclude_none=True)
            points.append(PointData(point_id(payload["record_id"], payload["chunk_index"]), vector.tolist(),
                                    bm25.encode_document(str(text)), payload))
            if len(points) == 512:
                store.upsert(points)
                points = []
        store.upsert(points)
        store.optimize()
        print(f"{store.count()} points in {settings.store_path}")


if __name__ == "__main__":
    main()
