"""The weights file format (docs/weights_format.md): exact round trips and clear errors."""

import importlib.util
import pathlib
import struct
import zlib

import numpy as np
import pytest

import lstmcore as lc
from lstmcore import weights_file as wf

DATA = pathlib.Path(__file__).resolve().parent / "cpp" / "data"

SPECS = [
    lc.RNNSpec("lstm", 3, 4),
    lc.RNNSpec("lstm", 3, 4, num_layers=2, bidirectional=True, proj_size=2, peephole=True,
               batch_first=True, dropout=0.5),
    lc.RNNSpec("lstm", 2, 3, coupled=True, peephole=True, bias=False),
    lc.RNNSpec("gru", 2, 5, num_layers=3, linear_before_reset=False),
    lc.RNNSpec("rnn", 4, 2, nonlinearity="relu", bidirectional=True),
]


def _small_file() -> bytes:
    spec = lc.RNNSpec("lstm", 2, 3)
    return wf.to_bytes(spec, lc.init_params(spec, seed=0))


def _with_crc(data: bytes) -> bytes:
    """Re-seal an edited file so that the checks behind the checksum are reached."""
    return data[:-4] + struct.pack("<I", zlib.crc32(data[:-4]))


def _patch_u32(data: bytes, offset: int, value: int) -> bytes:
    return _with_crc(data[:offset] + struct.pack("<I", value) + data[offset + 4 :])


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.mode)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_round_trip_is_exact(tmp_path, spec, dtype):
    params = lc.init_params(spec, dtype=dtype, seed=3)
    path = tmp_path / "model.lcw"
    wf.save(path, spec, params)
    spec2, params2 = wf.load(path)
    assert spec2 == spec
    assert list(params2) == spec.param_names()
    for name, arr in params.items():
        assert params2[name].dtype == np.dtype(dtype)
        assert params2[name].flags.writeable and params2[name].flags.c_contiguous
        np.testing.assert_array_equal(params2[name], arr)
    assert wf.to_bytes(spec2, params2) == path.read_bytes()  # deterministic bytes


def test_save_casts_and_accepts_strided_arrays(tmp_path):
    spec = lc.RNNSpec("gru", 2, 3)
    params = lc.init_params(spec, dtype=np.float64, seed=1)
    params["weight_ih_l0"] = np.asfortranarray(params["weight_ih_l0"])
    wf.save(str(tmp_path / "m.lcw"), spec, params, dtype=np.float32)
    _, back = wf.load(str(tmp_path / "m.lcw"))
    for name, arr in params.items():
        assert back[name].dtype == np.float32
        np.testing.assert_array_equal(back[name], arr.astype(np.float32))


def test_save_rejects_bad_arguments(tmp_path):
    spec = lc.RNNSpec("lstm", 2, 3)
    params = lc.init_params(spec, seed=0)
    with pytest.raises(TypeError, match="spec: expected an lstmcore.RNNSpec"):
        wf.save(tmp_path / "x", "lstm", params)
    with pytest.raises(TypeError, match="params: expected a dict"):
        wf.save(tmp_path / "x", spec, [1, 2])
    missing = dict(params)
    del missing["bias_hh_l0"]
    with pytest.raises(ValueError, match="bias_hh_l0"):
        wf.save(tmp_path / "x", spec, missing)
    ints = {k: np.zeros(v.shape, np.int32) for k, v in params.items()}
    with pytest.raises(TypeError, match="float32 or float64"):
        wf.save(tmp_path / "x", spec, ints)
    with pytest.raises(TypeError, match="dtype"):
        wf.save(tmp_path / "x", spec, params, dtype=np.float16)


def test_layout_matches_the_documented_offsets():
    data = _small_file()
    assert data[:8] == b"\x89LCW\r\n\x1a\n"
    magic, version, reserved, body_size = struct.unpack_from("<8sIIQ", data)
    assert (version, reserved, len(data)) == (1, 0, 24 + body_size + 4)
    mode, nonlin, dtype, _, flags = struct.unpack_from("<BBBBI", data, 24)
    assert (mode, nonlin, dtype) == (1, 0, 1)
    assert flags == 0b100001  # bias, linear_before_reset
    assert struct.unpack_from("<IIII", data, 32) == (2, 3, 1, 0)
    assert struct.unpack_from("<II", data, 56) == (4, 0)
    name_len, ndim, d0, d1 = struct.unpack_from("<IIQQ", data, 64)
    assert (name_len, ndim, d0, d1) == (12, 2, 12, 2)
    assert data[88:100] == b"weight_ih_l0"
    assert struct.unpack_from("<I", data, len(data) - 4)[0] == zlib.crc32(data[:-4])


def test_every_truncation_is_a_clear_error():
    data = _small_file()
    for n in range(len(data)):
        expected = "not an lstmcore weights file" if n < 8 else "truncated"
        with pytest.raises(ValueError, match=expected):
            wf.from_bytes(data[:n])
    with pytest.raises(ValueError, match=f"header says {len(data)} bytes, the file has {len(data) - 1}"):
        wf.from_bytes(data[:-1])
    with pytest.raises(ValueError, match="trailing bytes"):
        wf.from_bytes(data + b"\0")


def test_foreign_file_and_bad_magic(tmp_path):
    path = tmp_path / "foreign.npz"
    np.savez(path, a=np.zeros(3))
    with pytest.raises(ValueError, match=r"foreign\.npz'.*not an lstmcore weights file: expected "
                                         r"the magic bytes 89 4c 43 57 0d 0a 1a 0a, got 50 4b"):
        wf.load(path)
    with pytest.raises(ValueError, match="got an empty file"):
        wf.from_bytes(b"")


def test_every_flipped_byte_is_detected():
    data = _small_file()
    for i in range(len(data)):
        bad = bytearray(data)
        bad[i] ^= 0x20
        with pytest.raises(ValueError):
            wf.from_bytes(bytes(bad))
    bad = bytearray(data)
    bad[100] ^= 1  # inside weight_ih_l0's data
    with pytest.raises(ValueError, match=r"checksum mismatch \(stored 0x[0-9a-f]{8}, computed "
                                         r"0x[0-9a-f]{8}\): the file is corrupted"):
        wf.from_bytes(bytes(bad))


def test_wrong_version_is_refused():
    with pytest.raises(ValueError, match="format version 2 is not supported: this lstmcore reads "
                                         "version 1"):
        wf.from_bytes(_patch_u32(_small_file(), 8, 2))


@pytest.mark.parametrize(
    "offset, value, message",
    [
        (12, 7, "reserved preamble field: expected 0, got 7"),
        (24, 0x00010003, "mode: expected a code in 0..2, got 3"),
        (24, 0x00030001, r"dtype: expected code 1 \(float32\) or 2 \(float64\), got 3"),
        (28, 1 << 9, "reserved spec bits"),
        (36, 0, "invalid spec: hidden_size: expected an int >= 1, got 0"),
        (44, 5, "invalid spec: proj_size: expected 0 or less than hidden_size=3, got 5"),
        (56, 3, "num_params: the spec implies 4 parameters, got 3"),
        (40, 1 << 20, "num_params: the spec implies 4194304 parameters, got 4"),
        (32, 1, r"parameter 'weight_ih_l0': expected shape \(12, 1\), got \(12, 2\)"),
        (64, 200, "parameter record 0: the name is not printable ASCII"),
        (64, 1000, "expected a name of 1..255 bytes"),
    ],
)
def test_inconsistent_contents_are_named(offset, value, message):
    with pytest.raises(ValueError, match=message):
        wf.from_bytes(_patch_u32(_small_file(), offset, value))


def test_forged_sizes_fail_fast():
    data = _patch_u32(_patch_u32(_small_file(), 40, 1 << 20), 56, 1 << 22)
    with pytest.raises(ValueError, match="4194304 parameter records cannot fit"):
        wf.from_bytes(data)


def test_unexpected_name_is_named():
    data = _small_file()
    renamed = _with_crc(data[:99] + b"9" + data[100:])  # weight_ih_l0 -> weight_ih_l9
    with pytest.raises(ValueError, match="unexpected parameter 'weight_ih_l9' for this spec"):
        wf.from_bytes(renamed)


def test_missing_file_is_an_oserror(tmp_path):
    with pytest.raises(FileNotFoundError):
        wf.load(tmp_path / "nope.lcw")


def _fixture_module():
    spec = importlib.util.spec_from_file_location("make_fixtures", DATA / "make_fixtures.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_committed_cpp_fixtures_match_the_writer():
    # The C++ tests read these files; a format change must regenerate them deliberately.
    fixtures = _fixture_module()
    assert fixtures.FIXTURES
    for name, (spec, dtype) in fixtures.FIXTURES.items():
        committed = (DATA / name).read_bytes()
        assert committed == fixtures.fixture_bytes(name), name
        spec2, params = wf.load(DATA / name)
        assert spec2 == spec
        assert all(p.dtype == dtype for p in params.values())


def test_committed_reference_cases_agree_with_the_reference():
    # test_model.cpp checks the C++ Model against these; they must still be the reference's.
    fixtures = _fixture_module()
    assert fixtures.REFERENCE_CASES
    for name in fixtures.REFERENCE_CASES:
        spec, params, x, outputs = fixtures.reference_case(name)
        spec2, params2 = wf.load(DATA / f"{name}.lcw")
        assert spec2 == spec
        for key, arr in params.items():
            np.testing.assert_array_equal(params2[key], arr)
        saved = fixtures.read_arrays(DATA / f"{name}.expected.txt")
        assert set(saved) == {"x", *outputs}
        np.testing.assert_array_equal(saved["x"], x.astype(np.float64))
        atol = 1e-12 if x.dtype == np.float64 else 1e-6  # BLAS may round float32 differently
        for key, arr in outputs.items():
            np.testing.assert_allclose(saved[key], arr, rtol=0, atol=atol, err_msg=f"{name} {key}")
