"""Reading and writing a component's text model in Rasa's model storage."""

from __future__ import annotations

import logging

from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage

from rasa_plugins.nlu import persistence
from rasa_plugins.nlu.text_model import TextModel

logger = logging.getLogger(__name__)

MODEL_FILE = "text_model"


def write(model: TextModel, model_storage: ModelStorage, resource: Resource) -> None:
    """Persist a trained model into the component's resource."""
    with model_storage.write_to(resource) as folder:
        persistence.save(model, folder, MODEL_FILE)


def read(model_storage: ModelStorage, resource: Resource) -> TextModel | None:
    """Load the component's model; ``None`` when it was never trained (no data)."""
    try:
        with model_storage.read_from(resource) as folder:
            return persistence.load(folder, MODEL_FILE)
    except (ValueError, FileNotFoundError):
        # Rasa's own components do the same: a resource without a model (trained on no
        # data) loads as an untrained component that predicts nothing.
        logger.debug("No trained text model in resource '%s'.", resource.name)
        return None
