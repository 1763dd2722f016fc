#!/usr/bin/python3
"""Writes the malformed inputs of tests/bad_inputs/ (the binary ones cannot be typed by hand).

Run from anywhere: /usr/bin/python3 tests/bad_inputs/make_inputs.py. The expected outcome of
each file is in manifest.json beside it.
"""
import gzip
import io
import os
import struct

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))


def write(name, data):
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(HERE, name), "wb") as f:
        f.write(data)


def gz(text):
    buf = io.BytesIO()
    with gzip.GzipFile(fileobj=buf, mode="wb", mtime=0) as f:
        f.write(text.encode())
    return buf.getvalue()


def npy(array):
    buf = io.BytesIO()
    np.save(buf, array)
    return buf.getvalue()


def idx(type_code, dims, payload):
    header = bytes([0, 0, type_code, len(dims)]) + b"".join(struct.pack(">I", d) for d in dims)
    return header + payload


PRED = "label,pred\n" + "".join(f"{'cat' if i % 3 else 'dog'},{'cat' if i % 4 else 'dog'}\n"
                                for i in range(40))

# eval: predictions tables
write("eval_ragged.csv", "label,pred\ncat,cat\ndog\ncat,dog\n")
write("eval_extra_field.csv", "label,pred\ncat,cat\ndog,dog,cat\n")
write("eval_unterminated_quote.csv", 'label,pred\ncat,cat\n"dog,cat\ncat,cat\n')
write("eval_stray_quote.csv", 'label,pred\ncat,cat\ndo"g,cat\n')
write("eval_text_after_quote.csv", 'label,pred\ncat,cat\n"dog"x,cat\n')
write("eval_empty.csv", "")
write("eval_blank_lines_only.csv", "\n\n\n")
write("eval_missing_pred_col.csv", "label,prediction\ncat,cat\n")
write("eval_duplicate_column.csv", "label,pred,pred\ncat,cat,dog\n")
write("eval_bom_only.csv", b"\xef\xbb\xbf")
write("eval_quoted_newline_ragged.csv", 'label,pred\ncat,"a\nb"\ndog\n')
write("eval_empty_pred.csv", "label,pred\ncat,cat\ndog,\n")
write("eval_weight_text.csv", "label,pred,w\ncat,cat,1\ndog,cat,heavy\n")
write("eval_weight_nan.csv", "label,pred,w\ncat,cat,1\ndog,cat,nan\n")
write("eval_weight_inf.csv", "label,pred,w\ncat,cat,1\ndog,cat,inf\n")
write("eval_weight_negative.csv", "label,pred,w\ncat,cat,1\ndog,cat,-2\n")
# Found by fuzzing (fuzz/shards_fuzz): squared, these weights left the range of a double.
write("eval_weight_huge.csv", "label,pred,w\ncat,cat,1\ndog,cat,1e200\n")
write("eval_weight_tiny.csv", "label,pred,w\ncat,cat,1e-200\ndog,cat,1\n")
# Found by fuzzing (fuzz/shards_fuzz, fuzz/split_fuzz): a label that is not UTF-8 cannot go into
# a JSON file read back (a statistics file, manifest.json).
write("eval_latin1_stats.csv", b"label,pred\ncaf\xe9,cat\ndog,dog\n")
write("split_latin1_label.csv", b"id,label\n1,caf\xe9\n2,dog\n3,dog\n4,cat\n5,cat\n")
write("eval_crlf_ragged.csv", "label,pred\r\ncat,cat\r\ndog,cat,x\r\n")
write("eval_truncated.csv.gz", gz(PRED)[:-30])
corrupt = bytearray(gz(PRED))
corrupt[-8] ^= 0xFF  # the CRC-32 no longer matches
write("eval_bad_crc.csv.gz", bytes(corrupt))
write("eval_gzip_header_only.csv.gz", gz(PRED)[:12])
write("eval_trailing_garbage.csv.gz", gz(PRED) + b"not gzip at all")

# split: data tables
write("split_ragged.csv", "id,label\n1,cat\n2,dog\n3\n4,cat\n")
write("split_missing_id.csv", "key,label\n1,cat\n2,dog\n")
write("split_unterminated_quote.csv", 'id,label\n1,cat\n2,"dog\n3,cat\n')
write("split_truncated.csv.gz", gz("id,label\n" + "".join(f"{i},{'cat' if i % 2 else 'dog'}\n"
                                                           for i in range(200)))[:-40])
write("split_too_small.csv", "id,label\n1,cat\n2,dog\n3,cat\n")

# errors tally: reviewed sheets
write("sheet_unknown_mark.csv", "label,pred,blurry,dog\ncat,dog,x,\ndog,cat,maybe,x\n")
write("sheet_ragged.csv", "label,pred,blurry\ncat,dog,x\ndog,cat\n")
write("sheet_no_tags.csv", "label,pred\ncat,dog\n")
write("sheet_missing_pred.csv", "label,blurry\ncat,x\n")
write("sheet_empty.csv", "")
write("sheet_duplicate_tag.csv", "label,pred,blurry,blurry\ncat,dog,x,\n")

# errors sample: predictions tables
write("sample_ragged.csv", "label,pred\ncat,dog\ndog,cat,x\n")
write("sample_missing_label.csv", "truth,pred\ncat,dog\n")

# errors slices: predictions with features
write("slices_ragged.csv", "label,pred,blur\ncat,dog,0.1\ndog,cat\n")
write("slices_missing_feature.csv", "label,pred,blur\ncat,dog,0.1\n")

# labels with probability columns
write("labels_nan_prob.csv", "label,p_cat,p_dog\ncat,0.9,0.1\ndog,nan,0.5\n")
write("labels_sum_not_one.csv", "label,p_cat,p_dog\ncat,0.9,0.1\ndog,0.3,0.3\n")
write("labels_negative_prob.csv", "label,p_cat,p_dog\ncat,1.2,-0.2\ndog,0.5,0.5\n")
write("labels_text_prob.csv", "label,p_cat,p_dog\ncat,0.9,0.1\ndog,high,low\n")
write("labels_unknown_class.csv", "label,p_cat,p_dog\ncat,0.9,0.1\nbird,0.5,0.5\n")
write("labels_inf_prob.csv", "label,p_cat,p_dog\ncat,0.9,0.1\ndog,inf,0\n")
write("labels_empty_prob.csv", "label,p_cat,p_dog\ncat,0.9,0.1\ndog,,1\n")

# labels with a .npy array; labels_npy.csv holds the labels of its 4 rows
write("labels_npy.csv", "label\n0\n1\n0\n1\n")
good = np.array([[0.9, 0.1], [0.2, 0.8], [0.6, 0.4], [0.3, 0.7]])
write("npy_truncated.npy", npy(good)[:-12])
write("npy_bad_magic.npy", b"\x93NUMPX" + npy(good)[6:])
write("npy_int64.npy", npy(np.array([[1, 0], [0, 1], [1, 0], [0, 1]], dtype="<i8")))
write("npy_big_endian.npy", npy(good.astype(">f8")))
write("npy_3d.npy", npy(good.reshape(2, 2, 2)))
write("npy_fortran.npy", npy(np.asfortranarray(np.array([[0.9, 0.1, 0.0], [0.2, 0.7, 0.1],
                                                          [0.6, 0.3, 0.1], [0.3, 0.6, 0.1]]))))
nan = good.copy()
nan[2, 1] = np.nan
write("npy_nan.npy", npy(nan))
write("npy_rows_mismatch.npy", npy(good[:3]))
bad_sum = good.copy()
bad_sum[1] = [0.5, 0.2]
write("npy_sum_not_one.npy", npy(bad_sum))
write("npy_header_garbage.npy", b"\x93NUMPY\x01\x00\x10\x00{'descr': ?????}\n")
write("npy_empty.npy", b"")

# train: configs and IDX files
TRAIN_CSV = "id,x,y,label\n" + "".join(f"{i},{i % 7 - 3},{i % 5 - 2},{(i % 7 - 3) * (i % 5 - 2) > 0}\n"
                                       for i in range(60))
write("train_points.csv", TRAIN_CSV)
BASE = 'name = "bad"\nthreads = 1\n\n[data]\ntrain = "train_points.csv"\nid_col = "id"\n\n' \
       '[model]\nkind = "mlp"\nhidden = [4]\n\n[train]\nepochs = 1\nbatch_size = 16\n'
write("train_unknown_key.toml", BASE + "learning_rate = 0.1\n")
write("train_negative_lr.toml", BASE + "\n[optim]\nlr = -1\n")
write("train_epochs_text.toml", BASE.replace("epochs = 1", 'epochs = "ten"'))
write("train_unknown_model.toml", BASE.replace('kind = "mlp"', 'kind = "transformer"'))
write("train_toml_syntax.toml", BASE + "\n[optim\nlr = 0.1\n")
write("train_dropout_above_one.toml", BASE.replace("hidden = [4]", "hidden = [4]\ndropout = 1.5"))
write("train_nan_lr.toml", BASE + "\n[optim]\nlr = nan\n")
write("train_zero_batch.toml", BASE.replace("batch_size = 16", "batch_size = 0"))
write("train_dev_too_big.toml", BASE.replace('id_col = "id"', 'id_col = "id"\ntrain_dev_size = 500'))
write("train_missing_data_file.toml", BASE.replace("train_points.csv", "no_such_file.csv"))
write("train_ragged_features.csv", "id,x,y,label\n0,1,2,True\n1,1\n")
write("train_ragged.toml", BASE.replace("train_points.csv", "train_ragged_features.csv"))
write("train_text_feature.csv", "id,x,y,label\n0,1,2,True\n1,one,2,False\n")
write("train_text_feature.toml", BASE.replace("train_points.csv", "train_text_feature.csv"))

images = idx(0x08, [10, 2, 2], bytes(range(40)))
labels = idx(0x08, [10], bytes([i % 2 for i in range(10)]))
IDX = 'name = "bad"\nthreads = 1\n\n[data]\ntrain = "{img}"\ntrain_labels = "{lab}"\n\n' \
      '[model]\nkind = "mlp"\nhidden = [4]\n\n[train]\nepochs = 1\nbatch_size = 4\n'
write("idx_labels.idx", labels)
write("idx_truncated.idx", images[:-5])
write("idx_truncated.toml", IDX.format(img="idx_truncated.idx", lab="idx_labels.idx"))
write("idx_bad_magic.idx", b"\x01" + images[1:])
write("idx_bad_magic.toml", IDX.format(img="idx_bad_magic.idx", lab="idx_labels.idx"))
write("idx_extra_bytes.idx", images + b"\x00\x00")
write("idx_extra_bytes.toml", IDX.format(img="idx_extra_bytes.idx", lab="idx_labels.idx"))
write("idx_few_labels.idx", idx(0x08, [9], bytes(9)))
write("idx_few_labels.toml", IDX.format(img="idx_images.idx", lab="idx_few_labels.idx"))
write("idx_images.idx", images)
write("idx_truncated.idx.gz", gzip.compress(images, mtime=0)[:-10])
write("idx_truncated_gz.toml", IDX.format(img="idx_truncated.idx.gz", lab="idx_labels.idx"))
write("idx_huge_dims.idx", idx(0x08, [0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF], b""))
write("idx_huge_dims.toml", IDX.format(img="idx_huge_dims.idx", lab="idx_labels.idx"))

# errors review: image references that do not resolve (relative to the sheet's folder)
SHEET = "index,image,label,pred,blurry,mislabeled,comments\n0,idx_images.idx#1,cat,dog,,,\n"
write("review_missing_image.csv", SHEET + "1,no_such_image.png,dog,cat,,,\n")
write("review_idx_range.csv", SHEET + "1,idx_images.idx#10,dog,cat,,,\n")
write("review_corrupt.png", b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\x0dIHDR" + b"\x00" * 9)
write("review_corrupt_png.csv", SHEET + "1,review_corrupt.png,dog,cat,,,\n")
# labels apply: corrections naming an id or a label the data does not have
write("corrections_data.csv", "id,label\na,cat\nb,dog\nc,cat\n")
FIX = "index,id,given,suggested,decision,label,comment\n0,a,cat,dog,wrong,dog,\n"
write("corrections_unknown_id.csv", FIX + "5,zz,cat,dog,wrong,dog,\n")
write("corrections_unknown_label.csv", FIX + "1,b,dog,cat,wrong,cow,\n")
write("corrections_index_huge.csv", FIX + "1e300,,dog,cat,wrong,cat,\n")  # fuzz/findings/corrections
