from .data_preprocessors import *  # noqa: F401,F403
from .embedders import *  # noqa: F401,F403
from .encoders import *  # noqa: F401,F403
from .heads import *  # noqa: F401,F403
from .pretrainers import *  # noqa: F401,F403
from .recognizers import *  # noqa: F401,F403
from .retrievers import *  # noqa: F401,F403
from .text_encoders import *  # noqa: F401,F403
