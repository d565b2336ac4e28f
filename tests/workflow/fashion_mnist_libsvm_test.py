"""workflow/fashion_mnist_libsvm.py on IDX files the test writes: two classes kept, their labels
-1 / +1, 2 x 2 mean pooling and zero features left out checked by hand; a bad magic refused."""
import gzip
import struct
import sys
import tempfile
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "workflow"))
import fashion_mnist_libsvm as tool  # noqa: E402


def write_idx(path, magic, shape, values):
    with gzip.open(path, "wb") as f:
        f.write(struct.pack(f">{len(shape) + 1}I", magic, *shape) + bytes(values))


class FashionMnistLibsvmTest(unittest.TestCase):
    def make_source(self, root, magic=0x803):
        # 3 images of 28 x 28: image i has pixel value 255 in its top-left 2 x 2 block only
        # when i is even, else 102 in one pixel of that block; labels 0, 6, 3.
        images = []
        for i in range(3):
            img = [0] * 784
            if i % 2 == 0:
                img[0] = img[1] = img[28] = img[29] = 255
            else:
                img[0] = 102
            images += img
        for prefix in ("train", "t10k"):
            write_idx(root / f"{prefix}-images-idx3-ubyte.gz", magic, (3, 28, 28), images)
            write_idx(root / f"{prefix}-labels-idx1-ubyte.gz", 0x801, (3,), [0, 6, 3])

    def test_two_classes_pooled_by_hand(self):
        with tempfile.TemporaryDirectory() as d:
            root = Path(d)
            self.make_source(root)
            out = root / "out" / "fm"
            self.assertEqual(tool.main([str(out), "--source", str(root)]), 0)
            for path in (out, Path(f"{out}.t")):
                lines = path.read_text().splitlines()
                # label 3 dropped; T-shirt (0) is -1, shirt (6) is +1; feature 1 = the block mean
                self.assertEqual(lines, ["-1 1:1", "+1 1:0.1"])

    def test_bad_magic_is_refused(self):
        with tempfile.TemporaryDirectory() as d:
            root = Path(d)
            self.make_source(root, magic=0x801)
            with self.assertRaises(SystemExit) as e:
                tool.main([str(root / "fm"), "--source", str(root)])
            self.assertIn("bad magic number", str(e.exception))
            self.assertFalse((root / "fm").exists())


if __name__ == "__main__":
    unittest.main()
