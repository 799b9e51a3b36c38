import pytest

from specnet.errors import UnknownNameError
from specnet.registry import Registry


def test_register_get_names():
    reg = Registry("colour")

    @reg.register("red")
    class Red:
        pass

    assert reg.get("red") is Red
    assert reg.names() == ["red"]
    assert Red.name == "red"
    assert "red" in reg and "blue" not in reg


def test_duplicate_name_is_refused():
    reg = Registry("colour")
    reg.register("red")(type("A", (), {}))
    with pytest.raises(ValueError, match="registered twice"):
        reg.register("red")(type("B", (), {}))


def test_unknown_name_lists_known_and_suggests():
    reg = Registry("activation")
    for name in ("sigmoid", "tanh", "relu"):
        reg.register(name)(type(name, (), {}))
    with pytest.raises(UnknownNameError) as e:
        reg.get("sigmod", where="network.layers[0].activation")
    text = str(e.value)
    assert "unknown activation 'sigmod'" in text
    assert "Known: relu, sigmoid, tanh" in text
    assert "Did you mean 'sigmoid'?" in text
    assert e.value.path == "network.layers[0].activation"
