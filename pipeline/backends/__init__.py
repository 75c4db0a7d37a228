"""Model backends that turn sentences into English: transformers/torch and CTranslate2, and loading one."""
