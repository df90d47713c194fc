import os.path as osp

from setuptools import find_packages, setup


def read_requirements(name):
    """Requirement lines of requirements/<name>.txt, without comments."""
    with open(osp.join(osp.dirname(__file__), 'requirements', name)) as f:
        lines = (line.split('#')[0].strip() for line in f)
        return [line for line in lines if line and not line.startswith('-')]


def version():
    scope = {}
    with open(osp.join(osp.dirname(__file__), 'slp_mm', 'version.py')) as f:
        exec(f.read(), scope)
    return scope['__version__']


setup(
    name='slp_mm',
    version=version(),
    description='Multimodal sign-language pre-training and understanding '
    'on OpenMMLab',
    long_description=open('README.md', encoding='utf-8').read(),
    long_description_content_type='text/markdown',
    license='Apache-2.0',
    python_requires='>=3.10',
    packages=find_packages(include=('slp_mm', 'slp_mm.*')),
    package_data={'slp_mm.models.text_encoders': ['architectures/*.json']},
    install_requires=read_requirements('runtime.txt'),
    extras_require=dict(
        # the tests check ONNX parity: they need the deployment extra too
        tests=read_requirements('tests.txt') + read_requirements('deploy.txt'),
        optional=read_requirements('optional.txt'),
        deploy=read_requirements('deploy.txt'),
    ),
    zip_safe=False,
)
