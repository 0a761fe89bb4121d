"""The registry of followable runs: tokens, descriptions, and no life support for the dead."""
import gc

from playground.serve.followers import Followers


class Live:
    pass


def test_publish_get_describe_and_forget():
    reg = Followers()
    live = Live()
    token = reg.publish(live)
    assert len(token) >= 8 and reg.get(token) == (live, {})
    assert reg.publish(live, token) == token  # republishing keeps the link valid
    reg.describe(token, preset="collapse")
    assert reg.get(token)[1] == {"preset": "collapse"}
    assert reg.get("unknown") == (None, {})
    del live
    gc.collect()
    assert reg.get(token)[0] is None and len(reg) == 0  # a closed session is not kept alive
