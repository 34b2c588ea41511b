"""The compiled core is importable and reports how it was built."""

import lstmcore


def test_build_info_comes_from_cpp():
    info = lstmcore.build_info()
    assert info["version"] == lstmcore.__version__
    assert info["compiler"] and info["compiler"] != "unknown"
    assert "baseline" in info["isa_compiled"]
    assert isinstance(info["cuda"], bool)
